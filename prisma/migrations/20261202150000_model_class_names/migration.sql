-- Classifiers name their outputs: output index i means class_names[i] (empty: not named).
ALTER TABLE "models" ADD COLUMN     "class_names" TEXT[] DEFAULT ARRAY[]::TEXT[];
